# Run as firmware (CPython and MicroPython): the Datamatrix INS parser on a list of texts.
# Argument: JSON list of texts. Prints a JSON list, one entry per text:
# {"looks_like": bool, "ok": {fields} | null, "error": code | null, "repr": str, "detail": str}
import json

import simhost

from verify import ins_datamatrix

texts = json.loads(json.loads(simhost.argv())[1])
out = []
for text in texts:
    entry = {"looks_like": ins_datamatrix.looks_like(text), "ok": None, "error": None, "repr": "", "detail": ""}
    try:
        got = ins_datamatrix.parse(text)
        entry["ok"] = got.as_dict()
        entry["repr"] = repr(got)
        entry["signed"] = got.signed
    except ins_datamatrix.DatamatrixError as err:
        entry["error"] = err.code
        entry["detail"] = str(err)
    out.append(entry)
print(json.dumps(out))
