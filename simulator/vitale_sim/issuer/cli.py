"""``vitale-issuer``: the TEST-ONLY credential issuer.

    vitale-issuer init DIR                      root + issuer keys + trust list v1
    vitale-issuer wallet DIR --out WALLET [--random | --matricule ... --birth-name ... --first-names ...
                  --sex M|F --birth-date YYYY-MM-DD --birthplace CODE] [--valid-days N] [--expired]
    vitale-issuer qr WALLET --out FILE.png [--text]
    vitale-issuer revoke DIR APP_ID             trust list version + 1 with APP_ID revoked
    vitale-issuer show WALLET                   app id, issuer kid, validity, identity (test data)
    vitale-issuer vectors [--out DIR] [--spec FILE]   regenerate protocol/vectors/credential/

``wallet --testpki`` (instead of DIR) issues from the built-in test PKI
(vitale_sim/testpki), the one the firmware pins. Everything made is TEST ONLY.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Optional

from .identity import TestIdentity, random_identity
from .pki import Pki
from .profile import TEST_ONLY
from .wallet import Wallet


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vitale-issuer", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    s = sub.add_parser("init", help="create a TEST PKI in DIR")
    s.add_argument("dir")
    s.add_argument("--force", action="store_true", help="overwrite an existing PKI")
    s.add_argument("--no-retired", action="store_true", help="no retired issuer key")

    s = sub.add_parser("wallet", help="issue a TEST app instance")
    s.add_argument("dir", nargs="?", help="the PKI directory (from init)")
    s.add_argument("--testpki", action="store_true", help="use the built-in test PKI instead of DIR")
    s.add_argument("--out", required=True, help="wallet file to write (JSON)")
    s.add_argument("--random", action="store_true", help="a random test identity")
    s.add_argument("--seed", type=int, help="seed for --random (reproducible identity)")
    s.add_argument("--matricule", help="13 characters (2A/2B allowed as department)")
    s.add_argument("--key", type=int, help="NIR key (default: computed)")
    s.add_argument("--oid", default="1.2.250.1.213.1.4.10", help="INS OID (default: the NIR test OID)")
    s.add_argument("--birth-name")
    s.add_argument("--first-names")
    s.add_argument("--sex", choices=("M", "F"))
    s.add_argument("--birth-date", help="YYYY-MM-DD, may be 'lunar' (e.g. 1950-00-00)")
    s.add_argument("--birthplace", help="5-character INSEE COG code (99xxx: abroad)")
    s.add_argument("--regime", default="01")
    s.add_argument("--caisse", default="751")
    s.add_argument("--valid-days", type=int, default=365)
    s.add_argument("--expired", action="store_true", help="an attestation that expired yesterday")
    s.add_argument("--not-yet-valid", action="store_true", help="an attestation valid from tomorrow")
    s.add_argument("--issuer", default="issuer", help="issuer key name in the PKI")
    s.add_argument("--now", type=int, help="Unix time to issue at (default: now)")

    s = sub.add_parser("qr", help="the QR code the phone would show now")
    s.add_argument("wallet")
    s.add_argument("--out", help="PNG file to write")
    s.add_argument("--text", action="store_true", help="print the QR text")
    s.add_argument("--now", type=int)

    s = sub.add_parser("revoke", help="revoke an app instance: trust list version + 1")
    s.add_argument("dir")
    s.add_argument("app_id", help="32 hex digits")
    s.add_argument("--now", type=int)

    s = sub.add_parser("show", help="describe a wallet (TEST data)")
    s.add_argument("wallet")

    s = sub.add_parser("vectors", help="regenerate the committed test vectors (and the spec's examples)")
    s.add_argument("--out", default=None, help="default: protocol/vectors/credential")
    s.add_argument("--spec", default=None, help="default: protocol/CREDENTIAL.md (examples section)")
    s.add_argument("--pki", default=None, help="default: the built-in test PKI")
    return p


def _identity(args: argparse.Namespace) -> TestIdentity:
    if args.random or not args.matricule:
        fields = ("matricule", "birth_name", "first_names", "sex", "birth_date", "birthplace")
        given = [f for f in fields if getattr(args, f)]
        if not args.random and given:
            raise SystemExit("error: give all of --matricule --birth-name --first-names --sex --birth-date "
                             "--birthplace, or --random")
        return random_identity(random.Random(args.seed) if args.seed is not None else None)
    missing = [f for f in ("birth_name", "first_names", "sex", "birth_date", "birthplace") if not getattr(args, f)]
    if missing:
        raise SystemExit(f"error: missing --{missing[0].replace('_', '-')}")
    try:
        return TestIdentity(matricule=args.matricule, key=args.key, oid=args.oid, birth_name=args.birth_name,
                            first_names=args.first_names, sex=args.sex, birth_date=args.birth_date,
                            birthplace=args.birthplace, regime=args.regime, caisse=args.caisse)
    except ValueError as err:
        raise SystemExit(f"error: {err}") from err


def main(argv: Optional[list[str]] = None) -> int:
    args = _parser().parse_args(argv)
    print(f"[{TEST_ONLY}]", file=sys.stderr)
    if args.cmd == "init":
        d = Path(args.dir)
        if (d / "pki.json").exists() and not args.force:
            print(f"error: {d} already holds a PKI (use --force)", file=sys.stderr)
            return 1
        pki = Pki.create(d, retired=not args.no_retired)
        print(f"test PKI in {d}: root kid {_root_kid(pki)}, "
              f"issuer kid {pki.issuer().kid.hex()}, trust list v{pki.version}")
        return 0
    if args.cmd == "wallet":
        if args.testpki == bool(args.dir):
            print("error: give DIR or --testpki", file=sys.stderr)
            return 2
        if args.testpki:
            from .. import testpki

            pki = testpki.load()
        else:
            pki = Pki.load(args.dir)
        now = int(time.time()) if args.now is None else args.now
        kw: dict = {"valid_days": args.valid_days}
        if args.expired:
            kw = {"not_before": now - 2 * 86400 - args.valid_days * 86400, "expires": now - 86400}
        elif args.not_yet_valid:
            kw = {"not_before": now + 86400, "expires": now + 86400 + args.valid_days * 86400}
        wallet = Wallet.issue(pki, identity=_identity(args), now=now, issuer=args.issuer, **kw)
        wallet.save(args.out)
        print(f"wallet {args.out}: app id {wallet.app_id.hex()} (TEST ONLY)")
        return 0
    if args.cmd == "qr":
        from .qr import save_png, version

        wallet = Wallet.load(args.wallet)
        text = wallet.qr_text(args.now)
        if args.out:
            v = save_png(text, args.out)
            print(f"{args.out}: QR version {v}-M, {len(text)} characters", file=sys.stderr)
        else:
            version(text)
        if args.text or not args.out:
            print(text)
        return 0
    if args.cmd == "revoke":
        pki = Pki.load(args.dir)
        try:
            app_id = bytes.fromhex(args.app_id)
            pki.revoke(app_id, args.now)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        print(f"trust list v{pki.version} revokes {len(pki.revoked)} app instance(s)")
        return 0
    if args.cmd == "show":
        wallet = Wallet.load(args.wallet)
        ident = wallet.identity.as_dict()
        print(f"app id      {wallet.app_id.hex()}\nissuer kid  {wallet.issuer_kid.hex()}")
        print(f"valid       {time.strftime('%Y-%m-%d %H:%M', time.gmtime(wallet.not_before))} .. "
              f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime(wallet.expires))} UTC")
        for k, v in ident.items():
            if isinstance(v, dict):
                v = ", ".join(f"{kk} {vv}" for kk, vv in v.items())
            print(f"{k:<12}{v}")
        return 0
    if args.cmd == "vectors":
        from .vectors import generate

        generate(out=args.out, spec=args.spec, pki_dir=args.pki)
        return 0
    return 2


def _root_kid(pki: Pki) -> str:
    from . import keys

    return keys.kid(pki.root).hex()


if __name__ == "__main__":
    sys.exit(main())
