"""Optimizers written in Python and brought into Klong with .pyf: the specification's route.

    .pyf("optimizers";"SGDOptimizer")
    w::10.0;loss::{w^2}
    opt::SGDOptimizer(klong;["w"];:{["lr" 0.1]})
    {opt(loss)}'!50

klongtorch has these built in (.sgd, .adam, .adamw, .rmsprop, .adagrad), so this file is a
template for your own update rules: a learning-rate schedule, gradient clipping, RMSprop.
`klong` is the interpreter; klong.gradients(loss, names) gives the loss and one gradient per
global, and klong[name] reads and writes a global.
"""
import math


class SGDOptimizer:
    """Gradient descent with optional momentum: v = momentum*v + g; w = w - lr*v."""

    def __init__(self, klong, params, options=None):
        options = dict(options or {})
        self.klong = klong
        self.params = list(params)
        self.lr = options.get("lr", 0.01)
        self.momentum = options.get("momentum", 0.0)
        self.velocity = {}

    def __call__(self, loss):
        value, grads = self.klong.gradients(loss, self.params)
        for name, g in zip(self.params, grads):
            v = self.momentum * self.velocity.get(name, 0.0) + g
            self.velocity[name] = v
            self.klong[name] = self.klong[name] - self.lr * v
        return value


class AdamOptimizer:
    """Adam (Kingma and Ba, 2015): moving averages of the gradient and of its square,
    corrected for their start at zero."""

    def __init__(self, klong, params, options=None):
        options = dict(options or {})
        self.klong = klong
        self.params = list(params)
        self.lr = options.get("lr", 0.001)
        self.beta1 = options.get("beta1", 0.9)
        self.beta2 = options.get("beta2", 0.999)
        self.eps = options.get("eps", 1e-8)
        self.m, self.v, self.t = {}, {}, 0

    def __call__(self, loss):
        value, grads = self.klong.gradients(loss, self.params)
        self.t += 1
        for name, g in zip(self.params, grads):
            m = self.beta1 * self.m.get(name, 0.0) + (1 - self.beta1) * g
            v = self.beta2 * self.v.get(name, 0.0) + (1 - self.beta2) * g * g
            self.m[name], self.v[name] = m, v
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            self.klong[name] = self.klong[name] - self.lr * m_hat / (_sqrt(v_hat) + self.eps)
        return value


def _sqrt(v):
    """Square root of a number or a tensor."""
    return v.sqrt() if hasattr(v, "sqrt") else math.sqrt(v)
