"""A plain-Python optimizer step, loaded by a relative file path."""


class SGDStep:
    def __init__(self, lr):
        self.lr = lr

    def __call__(self, w, g):
        return w - self.lr * g
