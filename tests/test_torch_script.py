"""A training script in the shape of PyTorch's CIFAR-10 tutorial runs on both frameworks with only the imports
changed: a Module subclass over a DataLoader, SGD with momentum, a scheduler, a checkpoint saved and
loaded, accuracy under no_grad; the losses and the weights match step for step."""
import numpy as np
import pytest

torch_lib = pytest.importorskip("torch")

TORCH_IMPORTS = """
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
"""

MINIGRAD_IMPORTS = """
import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, TensorDataset
"""

SCRIPT = """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(4 * 3 * 3, 10)
        self.fc2 = nn.Linear(10, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = x.flatten(1)
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def run(weights, images, labels, path):
    net = Net().double().to("cpu")
    net.load_state_dict({k: torch.tensor(v) for k, v in weights.items()})
    trainset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    trainloader = DataLoader(trainset, batch_size=4, shuffle=False, num_workers=0)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    losses = []
    for epoch in range(3):
        for i, (inputs, targets) in enumerate(trainloader):
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = F.cross_entropy(outputs, targets)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        scheduler.step()
        if epoch == 1:
            torch.save({"epoch": epoch, "model": net.state_dict(), "optimizer": optimizer.state_dict(),
                        "scheduler": scheduler.state_dict()}, path)
    checkpoint = torch.load(path, weights_only=True)
    net = Net().double()
    net.load_state_dict(checkpoint["model"])
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, targets in trainloader:
            predicted = net(inputs).argmax(1)
            total += targets.size(0)
            correct += (predicted == targets).sum().item()
    return losses, correct / total, checkpoint["epoch"], net.state_dict()
"""


def run_with(imports, tmp_path):
    tmp_path.mkdir()
    namespace = {}
    exec(compile(imports + SCRIPT, "script", "exec"), namespace)
    r = np.random.default_rng(0)
    images, labels = r.standard_normal((12, 1, 8, 8)), r.integers(0, 3, 12)
    t = torch_lib.nn
    torch_lib.manual_seed(0)
    ref = t.Sequential(t.Conv2d(1, 4, 3), t.Linear(36, 10), t.Linear(10, 3)).double()
    names = {"0": "conv1", "1": "fc1", "2": "fc2"}
    weights = {names[k[0]] + k[1:]: v.detach().numpy() for k, v in ref.state_dict().items()}
    return namespace["run"](weights, images, labels, tmp_path / "checkpoint.pth")


def test_the_tutorial_script_matches_torch_with_only_the_imports_changed(tmp_path):
    losses, accuracy, epoch, state = run_with(MINIGRAD_IMPORTS, tmp_path / "mg")
    ref_losses, ref_accuracy, ref_epoch, ref_state = run_with(TORCH_IMPORTS, tmp_path / "torch")
    np.testing.assert_allclose(losses, ref_losses, rtol=0, atol=1e-12)
    assert accuracy == ref_accuracy and epoch == ref_epoch == 1 and len(losses) == 9
    for (k, v), w in zip(state.items(), ref_state.values()):
        np.testing.assert_allclose(np.asarray(v), w.numpy(), rtol=0, atol=1e-12, err_msg=k)
