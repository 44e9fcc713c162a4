import torch


def relu(t):
    return torch.clamp(t, min=0)
