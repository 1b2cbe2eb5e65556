"""Flash storage for the reader's state (trust list): whole files, replaced atomically."""
import os


class FlashStorage:
    def __init__(self, root="/data"):
        self._root = root
        try:
            os.mkdir(root)
        except OSError:
            pass  # already there

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
        tmp = path + ".new"
        with open(tmp, "wb") as f:
            f.write(data)
        try:
            os.remove(path)  # some MicroPython VFS cannot rename over an existing file
        except OSError:
            pass
        os.rename(tmp, path)
