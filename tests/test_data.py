"""minigrad.utils.data in the shape of PyTorch's data tutorial: datasets, DataLoader batches equal to torch's."""
import collections

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split

torch = pytest.importorskip("torch")
tdata = torch.utils.data


class Digits(Dataset):
    """A custom dataset, as in the tutorial: an image array and an int label per sample."""

    def __init__(self, n=10):
        r = np.random.default_rng(0)
        self.images = r.random((n, 1, 4, 4))
        self.labels = r.integers(0, 3, n).tolist()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.images[idx], self.labels[idx]


def assert_same(ours, theirs):
    """The same structure (lists, dicts, named tuples) with equal tensors: dtype, shape and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, mg.Tensor) and str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is dict and list(ours) == list(theirs)
        for k in theirs:
            assert_same(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours).__name__ == type(theirs).__name__ and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    else:
        assert ours == theirs


def assert_same_batches(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)


@pytest.mark.parametrize("batch_size,drop_last", [(4, False), (4, True), (1, False), (10, False), (3, True)])
def test_batches_of_a_custom_dataset_equal_torchs(batch_size, drop_last):
    ds = Digits()
    ours = DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    theirs = tdata.DataLoader(ds, batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert_same_batches(ours, theirs)


def test_the_tutorials_loop_runs_unchanged():
    loader = DataLoader(Digits(), batch_size=4)
    for X, y in loader:
        shape_X, shape_y, dtype_y = X.shape, y.shape, y.dtype
        break
    assert shape_X == (4, 1, 4, 4) and shape_y == (4,) and dtype_y == mg.int64
    mg.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    optimizer = mg.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    size = len(loader.dataset)
    seen = 0
    for batch, (X, y) in enumerate(loader):
        loss = F.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        seen += len(X)
    assert seen == size == 10 and batch == 2


def test_tensor_dataset_samples_rows_like_torch():
    x, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    ours = TensorDataset(mg.tensor(x), mg.tensor(y, dtype=mg.int64))
    theirs = tdata.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(ours) == len(theirs) == 6
    assert [v.tolist() for v in ours[2]] == [v.tolist() for v in theirs[2]]
    assert_same_batches(DataLoader(ours, batch_size=4), tdata.DataLoader(theirs, batch_size=4))
    with pytest.raises(ValueError, match=r"TensorDataset: every tensor needs the same first size, got shapes \[\(6, 2\), \(5,\)\]"):
        TensorDataset(mg.tensor(x), mg.zeros(5))


class Sized(Dataset):
    def __len__(self):
        return 2


Pair = collections.namedtuple("Pair", "a b")


@pytest.mark.parametrize("samples", [
    [(1.5, 2), (2.5, 3)], [[1, True], [2, False]], [{"x": np.ones(2, np.float32), "name": "a"},
                                                     {"x": np.zeros(2, np.float32), "name": "b"}],
    [np.float32(1.0), np.float32(2.0)], [(np.arange(3), {"k": 1.0})] * 2, [Pair(1, 2.0), Pair(3, 4.0)],
])
def test_default_collate_types_like_torchs(samples):
    assert_same(default_collate(samples), tdata.default_collate(samples))


def test_shuffle_is_a_permutation_drawn_from_manual_seed():
    ds = TensorDataset(mg.arange(10))

    def epoch():
        return np.concatenate([b.data for (b,) in DataLoader(ds, batch_size=3, shuffle=True)])

    mg.manual_seed(1)
    first, second = epoch(), epoch()
    mg.manual_seed(1)
    again = epoch()
    np.testing.assert_array_equal(first, again)
    assert sorted(first.tolist()) == list(range(10)) and first.tolist() != second.tolist()


def test_unbatched_loading_and_the_accepted_torch_options():
    ds = Digits(3)
    loader = DataLoader(ds, batch_size=None, num_workers=2, pin_memory=False)
    assert len(loader) == 3 and [s[1] for s in loader] == ds.labels


def test_random_split_and_subset():
    mg.manual_seed(0)
    train, test = random_split(Digits(10), [0.8, 0.2])
    assert (len(train), len(test)) == (8, 2) and isinstance(train, Subset)
    assert sorted(train.indices + test.indices) == list(range(10))
    with pytest.raises(ValueError, match="random_split: lengths must be non-negative ints summing to the dataset's length 10"):
        random_split(Digits(10), [3, 3])


@pytest.mark.parametrize("call,kind,msg", [
    (lambda: DataLoader([1, 2], batch_size=0), ValueError, "DataLoader: batch_size must be >= 1"),
    (lambda: DataLoader(5), TypeError, "DataLoader: dataset must define __getitem__ and __len__"),
    (lambda: DataLoader([1], shuffle="yes"), TypeError, "DataLoader: shuffle must be a bool"),
    (lambda: default_collate([np.ones(2), np.ones(3)]), ValueError, r"default_collate: the samples have different shapes"),
    (lambda: default_collate([(1, 2), (1,)]), ValueError, "default_collate: the samples have different lengths"),
    (lambda: default_collate([None, None]), TypeError, "default_collate: a batch must hold tensors"),
    (lambda: list(DataLoader(Sized())), TypeError, "Sized: __getitem__ is not defined"),
])
def test_bad_input_names_the_loader(call, kind, msg):
    with pytest.raises(kind, match=f"^{msg}"):
        call()
