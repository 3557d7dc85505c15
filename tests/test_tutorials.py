"""Tutorial-shaped scripts, written once and run on both frameworks: only the imports differ.

Each script is a function of the library modules (``torch``/``mg``, ``nn``, ``F``, ``optim``,
``data``), so its body is the same text for PyTorch and for minigrad. The harness gives both
the same initial weights (float64) and the same data, and compares every step: the losses,
the accuracy that ``_, predicted = torch.max(outputs, 1)`` counts, a checkpoint saved and
resumed, manual SGD under ``no_grad`` and a learning-rate scheduler.
"""
import types

import numpy as np
import pytest

import minigrad as mg

torch = pytest.importorskip("torch")

import torch.nn as tnn  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
import torch.optim as toptim  # noqa: E402
import torch.utils.data as tdata  # noqa: E402

TORCH = types.SimpleNamespace(torch=torch, nn=tnn, F=TF, optim=toptim, data=tdata)
MINIGRAD = types.SimpleNamespace(torch=mg, nn=mg.nn, F=mg.nn.functional, optim=mg.optim, data=mg.utils.data)
LIBS = (MINIGRAD, TORCH)

RNG = np.random.default_rng(13)
IMAGES = RNG.standard_normal((12, 1, 8, 8))
LABELS = RNG.integers(0, 3, 12)


# ---------------------------------------------------------------- the scripts (the same text for both)
def make_net(torch, nn, F):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3)
            self.pool = nn.MaxPool2d(2, 2)
            self.fc1 = nn.Linear(4 * 3 * 3, 16)
            self.fc2 = nn.Linear(16, 3)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = torch.flatten(x, 1)  # flatten all dimensions except batch
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    return Net().double()


def train_classifier(lib, weights, epochs=2, path=None):
    """The CIFAR-10 tutorial's loop: CrossEntropyLoss, SGD with momentum over a DataLoader, a
    scheduler, the accuracy from torch.max(outputs, 1), and a checkpoint."""
    torch, nn, F, optim, data = lib.torch, lib.nn, lib.F, lib.optim, lib.data
    net = make_net(torch, nn, F)
    net.load_state_dict(weights)
    trainset = data.TensorDataset(torch.tensor(IMAGES), torch.tensor(LABELS))
    trainloader = data.DataLoader(trainset, batch_size=4, shuffle=False)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    losses = []
    for epoch in range(epochs):
        for i, (inputs, labels) in enumerate(trainloader, 0):
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
    correct = total = 0
    with torch.no_grad():
        for inputs, labels in trainloader:
            outputs = net(inputs)
            _, predicted = torch.max(outputs, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    if path is not None:
        torch.save({"epoch": epochs, "model_state_dict": net.state_dict(),
                    "optimizer_state_dict": optimizer.state_dict(),
                    "scheduler_state_dict": scheduler.state_dict(), "loss": losses[-1]}, path)
    return net, losses, correct / total


def resume_classifier(lib, path, epochs=1):
    """The saving-and-loading tutorial: rebuild, load the checkpoint, train on."""
    torch, nn, F, optim, data = lib.torch, lib.nn, lib.F, lib.optim, lib.data
    model = make_net(torch, nn, F)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    checkpoint = torch.load(path)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    start = checkpoint["epoch"]
    model.train()
    trainloader = data.DataLoader(data.TensorDataset(torch.tensor(IMAGES), torch.tensor(LABELS)), batch_size=4)
    criterion = nn.CrossEntropyLoss()
    losses = []
    for epoch in range(start, start + epochs):
        for inputs, labels in trainloader:
            optimizer.zero_grad()
            loss = criterion(model(inputs), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
    return model, losses


def manual_sgd(lib, w1, w2, steps=25, learning_rate=1e-3):
    """The 'learning PyTorch with examples' two-layer net: tensors, autograd, and the update
    under no_grad, in place."""
    torch = lib.torch
    x = torch.tensor(np.linspace(-1, 1, 40).reshape(20, 2))
    y = torch.sin(x[:, :1] * 3)
    a = torch.tensor(w1, requires_grad=True)
    b = torch.tensor(w2, requires_grad=True)
    losses = []
    for t in range(steps):
        y_pred = torch.clamp(x.mm(a), min=0).mm(b)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            a.grad = None
            b.grad = None
    return a, b, losses


def manual_sgd_module(lib, weights, steps=5, learning_rate=0.1):
    """The neural-networks blitz's update written by hand: p -= lr * p.grad for each parameter."""
    torch, nn = lib.torch, lib.nn
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    model.load_state_dict(weights)
    params = list(model.parameters())
    x = torch.tensor(np.linspace(-1, 1, 20).reshape(10, 2))
    y = x.sum(1, keepdim=True) ** 2
    loss_fn = nn.MSELoss()
    losses = []
    for t in range(steps):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    return model, params, losses


# ---------------------------------------------------------------- the harness
def weights_for(lib, state):
    """The same initial weights in each library's own tensors."""
    return {k: lib.torch.tensor(np.array(v)) for k, v in state.items()}


def initial_state(build):
    mg.manual_seed(0)
    return {k: v.numpy().copy() for k, v in build().state_dict().items()}


def assert_same_weights(ours, ref):
    for (k, a), (k2, b) in zip(ours.state_dict().items(), ref.state_dict().items()):
        assert k == k2
        np.testing.assert_allclose(np.asarray(a.numpy()), b.numpy(), rtol=1e-10, atol=1e-12, err_msg=k)


def test_the_classifier_trains_like_torch_step_for_step(tmp_path):
    state = initial_state(lambda: make_net(mg, mg.nn, mg.nn.functional))
    (net, losses, acc), (ref, ref_losses, ref_acc) = [
        train_classifier(lib, weights_for(lib, state), path=tmp_path / f"{name}.pth")
        for lib, name in zip(LIBS, ("mg", "torch"))]
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-10)
    assert acc == ref_acc and len(losses) == 6 and losses[-1] < losses[0]
    assert_same_weights(net, ref)


def test_a_checkpoint_resumes_like_an_uninterrupted_run_and_like_torch(tmp_path):
    state = initial_state(lambda: make_net(mg, mg.nn, mg.nn.functional))
    results = {}
    for lib, name in zip(LIBS, ("mg", "torch")):
        weights = weights_for(lib, state)
        path = tmp_path / f"{name}.pth"
        train_classifier(lib, weights, epochs=2, path=path)
        resumed, resumed_losses = resume_classifier(lib, path, epochs=1)
        straight, straight_losses, _ = train_classifier(lib, weights, epochs=3)
        np.testing.assert_allclose(resumed_losses, straight_losses[-3:], rtol=1e-12)   # bit for bit
        assert_same_weights(resumed, straight) if name == "torch" else None
        results[name] = resumed, resumed_losses
    np.testing.assert_allclose(results["mg"][1], results["torch"][1], rtol=1e-10)
    assert_same_weights(results["mg"][0], results["torch"][0])


def test_manual_sgd_with_tensors_like_torch():
    w1, w2 = RNG.standard_normal((2, 6)), RNG.standard_normal((6, 1))
    (a, b, losses), (ta, tb, ref) = [manual_sgd(lib, w1, w2) for lib in LIBS]
    np.testing.assert_allclose(losses, ref, rtol=1e-10)
    assert losses[-1] < losses[0]
    np.testing.assert_allclose(a.data, ta.detach().numpy(), rtol=1e-10)
    assert a.is_leaf and a.requires_grad                  # updated in place: still the leaf we made


def test_manual_sgd_over_a_modules_parameters_updates_them_in_place_like_torch():
    state = initial_state(lambda: mg.nn.Sequential(mg.nn.Linear(2, 8), mg.nn.Tanh(), mg.nn.Linear(8, 1)))
    (model, params, losses), (ref, _, ref_losses) = [manual_sgd_module(lib, weights_for(lib, state)) for lib in LIBS]
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-10)
    assert losses[-1] < losses[0]
    assert all(p is q for p, q in zip(model.parameters(), params))
    assert_same_weights(model, ref)
    assert not np.allclose(model[0].weight.data, state["0.weight"])     # it did move
