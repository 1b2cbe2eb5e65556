"""Flash storage for the reader's state (trust list): whole files, replaced atomically.

The folder is made on the first write: building a board touches no file.
"""
import os


class FlashStorage:
    def __init__(self, root="/data"):
        self._root = root

    def _path(self, name):
        if "/" in name or name.startswith("."):
            raise ValueError("bad storage name")
        return self._root + "/" + name

    def read(self, name):
        try:
            with open(self._path(name), "rb") as f:
                return f.read()
        except OSError:
            return None

    def write_atomic(self, name, data):
        """Write to a temporary file, then rename over the old one: a power cut keeps either version."""
        path = self._path(name)
        try:
            os.mkdir(self._root)
        except OSError:
            pass  # already there
        tmp = path + ".new"
        with open(tmp, "wb") as f:
            f.write(data)
        try:
            os.remove(path)  # some MicroPython VFS cannot rename over an existing file
        except OSError:
            pass
        os.rename(tmp, path)
