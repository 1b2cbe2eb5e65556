"""NIR / matricule INS control key (BRIEF §4): key = 97 - (number mod 97).

The 13-character matricule may carry ``2A`` (Corsica, counts as 19) or
``2B`` (counts as 18) at positions 6-7 (the department). No other rule is
checked on purpose: real NIRs exceed naive month/sex/department ranges.
"""


def number(matricule):
    """The 13-character matricule as the integer the key is computed on, or None."""
    if not isinstance(matricule, str) or len(matricule) != 13:
        return None
    dept = matricule[5:7]
    if dept == "2A" or dept == "2a":
        matricule = matricule[:5] + "19" + matricule[7:]
    elif dept == "2B" or dept == "2b":
        matricule = matricule[:5] + "18" + matricule[7:]
    for ch in matricule:
        if ch < "0" or ch > "9":
            return None
    return int(matricule)


def key(matricule):
    """The 2-digit control key (1..97) of a matricule, or None if it is not one."""
    n = number(matricule)
    if n is None:
        return None
    return 97 - n % 97


def check(matricule, k):
    """True when ``k`` (int or 2-digit string) is the control key of ``matricule``."""
    if isinstance(k, str):
        if len(k) != 2 or not ("0" <= k[0] <= "9" and "0" <= k[1] <= "9"):
            return False
        k = int(k)
    if type(k) is not int:
        return False
    expected = key(matricule)
    return expected is not None and expected == k
