"""mg.save / mg.load: a checkpoint round-trips exactly, a file is data, anything else is refused by name."""
import math
import os
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


def checkpoint():
    w = nn.Parameter(np.arange(6.0).reshape(2, 3))
    w.name = "fc.weight"
    return {
        "model": OrderedDict([("fc.weight", w), ("fc.bias", mg.zeros(2, dtype=mg.float32, requires_grad=True))]),
        "tensors": [mg.tensor([1, 2], dtype=mg.int64), mg.tensor([True, False], dtype=mg.bool), mg.tensor(3.5)],
        "arrays": (np.arange(4, dtype=np.uint8), np.array(2.5, np.float32), np.empty((0, 3)), np.ones((2, 2), ">f8")),
        "scalars": [np.float32(1.25), np.int64(-7), np.bool_(True)],
        "numbers": [0, -1, 2 ** 100, 1.0, -0.0, 1e-310, math.inf, -math.inf, math.nan, True, False, None],
        "strings": ["", "σ11", "x_{11}", "\u2028"],
        "epoch": 3, 7: "int key", (1, "a"): "tuple key", None: "none key", 2.5: "float key",
        "empty": [[], (), {}],
    }


def assert_identical(a, b, where="obj"):
    assert type(a) is type(b), where
    if isinstance(a, mg.Tensor):
        assert (a.dtype, a.shape, a.requires_grad, a.name) == (b.dtype, b.shape, b.requires_grad, b.name), where
        assert a.is_leaf and b.is_leaf
        np.testing.assert_array_equal(a.data, b.data, err_msg=where)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b), where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for k in a:
            assert_identical(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_identical(x, y, f"{where}[{i}]")
    elif isinstance(a, float):
        assert (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)), where
    else:
        assert a == b, where


def test_a_checkpoint_round_trips_exactly(tmp_path):
    obj = checkpoint()
    path = mg.save(obj, tmp_path / "ckpt.pth")
    assert path == tmp_path / "ckpt.pth" and os.listdir(tmp_path) == ["ckpt.pth"]  # not ckpt.pth.npz
    assert_identical(obj, mg.load(tmp_path / "ckpt.pth"))
    assert_identical(obj, mg.load(str(path), map_location="cpu", weights_only=True))


def test_the_file_is_an_npz_of_arrays_read_without_pickle(tmp_path):
    mg.save({"w": mg.ones(2)}, tmp_path / "m.pth")
    with np.load(tmp_path / "m.pth", allow_pickle=False) as f:
        assert sorted(f.files) == ["0", "__minigrad__"] and f["0"].tolist() == [1.0, 1.0]


def test_a_saved_tensor_does_not_share_memory_with_the_loaded_one(tmp_path):
    t = mg.zeros(3)
    mg.save(t, tmp_path / "t")
    back = mg.load(tmp_path / "t")
    t.data[0] = 5.0
    assert back.data[0] == 0.0


def make_files(tmp_path):
    good = tmp_path / "good.pth"
    mg.save({"w": mg.ones(50)}, good)
    files = {
        "pickle": pickle.dumps({"w": np.ones(3)}),
        "garbage": b"not a checkpoint at all",
        "empty": b"",
        "truncated": good.read_bytes()[: len(good.read_bytes()) // 2],
    }
    paths = {}
    for name, data in files.items():
        paths[name] = tmp_path / f"{name}.pth"
        paths[name].write_bytes(data)
    np.savez(tmp_path / "plain.npz", w=np.ones(2))
    paths["plain npz"] = tmp_path / "plain.npz"
    paths["directory"] = tmp_path / "adir"
    paths["directory"].mkdir()
    return paths


@pytest.mark.parametrize("kind", ["pickle", "garbage", "empty", "truncated", "plain npz", "directory"])
def test_anything_else_is_a_value_error_naming_load_and_the_path(tmp_path, kind):
    path = make_files(tmp_path)[kind]
    with pytest.raises(ValueError, match=rf"^load: '{path}' (is|has)"):
        mg.load(path)
    with pytest.raises(ValueError, match=rf"^Linear.load: '{path}'"):
        nn.Linear(2, 2).load(path)


def test_a_pickle_is_never_unpickled(tmp_path):
    marker = tmp_path / "ran"
    payload = pickle.dumps(type("Payload", (), {"__reduce__": lambda self: (marker.write_text, ("pwned",))})())
    (tmp_path / "evil.pth").write_bytes(payload)
    with pytest.raises(ValueError, match="it is a pickle, and minigrad never unpickles"):
        mg.load(tmp_path / "evil.pth")
    assert not marker.exists()


def test_a_torch_checkpoint_is_refused_without_unpickling(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "t.pth")
    with pytest.raises(ValueError, match="a zip archive without minigrad's index"):
        mg.load(tmp_path / "t.pth")


def test_a_damaged_index_names_the_file(tmp_path):
    path = tmp_path / "bad.pth"
    for index in [b"{", b'{"format": "other"}', b'{"format": "minigrad", "version": 1, "object": {"tensor": 5}}',
                  b'{"format": "minigrad", "version": 9, "object": null}',
                  b'{"format": "minigrad", "version": 1, "object": {"eval": "1"}}']:
        with open(path, "wb") as f:
            np.savez(f, __minigrad__=np.frombuffer(index, np.uint8))
        with pytest.raises(ValueError, match=rf"^load: '{path}' is damaged"):
            mg.load(path)


def test_missing_file_and_bad_paths(tmp_path):
    with pytest.raises(FileNotFoundError, match="load: no such file"):
        mg.load(tmp_path / "nothing.pth")
    with pytest.raises(TypeError, match="save: path must be a str or a path, got int"):
        mg.save({}, 3)


@pytest.mark.parametrize("obj,where", [({"a": [1, 2j]}, r"obj\['a'\]\[1\] is a complex"), ({"f": print}, r"obj\['f'\] is a builtin"),
                                       ([np.array(["a"])], r"obj\[0\] has dtype <U1"), ({"o": object()}, r"obj\['o'\] is a object"),
                                       (nn.Linear(1, 1), r"obj is a minigrad.nn.Linear, .*; save its state_dict\(\) instead")])
def test_what_a_file_cannot_hold_is_a_type_error_naming_where(tmp_path, obj, where):
    with pytest.raises(TypeError, match=rf"^save: {where}"):
        mg.save(obj, tmp_path / "x.pth")
    assert not list(tmp_path.iterdir())


def test_a_failed_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "m.pth"
    mg.save({"epoch": 1}, path)
    with pytest.raises(TypeError):
        mg.save({"epoch": 2, "bad": 1j}, path)
    assert mg.load(path) == {"epoch": 1} and os.listdir(tmp_path) == ["m.pth"]


# ---------------------------------------------------------------- modules
def test_module_save_and_load_use_the_same_format(tmp_path):
    mg.manual_seed(0)
    a, b = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2)), nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    a(mg.randn(4, 3))
    assert a.save(tmp_path / "m.pth") == tmp_path / "m.pth"
    assert b.load(tmp_path / "m.pth") is b
    for (k, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_array_equal(x, y, err_msg=k)
    mg.save({"model": a.state_dict()}, tmp_path / "ckpt.pth")
    b.load_state_dict(mg.load(tmp_path / "ckpt.pth")["model"])
    mg.save([1], tmp_path / "ckpt.pth")
    with pytest.raises(ValueError, match=r"Sequential.load: '.*ckpt.pth' holds a list, not a state dict"):
        b.load(tmp_path / "ckpt.pth")


@pytest.mark.parametrize("state,kind,msg", [
    ({"weight": np.array([["a", "b"]]), "bias": np.zeros(1)}, TypeError, r"value of 'weight' has dtype <U1; a state dict holds numbers"),
    ({"weight": np.zeros((1, 2), object), "bias": np.zeros(1)}, TypeError, "value of 'weight' has dtype object"),
    ({"weight": np.zeros((2, 2)), "bias": np.zeros(1)}, ValueError, r"misshapen keys \[weight: expected \(1, 2\), got \(2, 2\)\]"),
    ({"weight": np.zeros((1, 2))}, ValueError, r"missing keys \['bias'\]"),
    ({"weight": np.zeros((1, 2)), "bias": np.zeros(1), "extra": np.zeros(1)}, ValueError, r"unexpected keys \['extra'\]"),
])
def test_load_state_dict_validates(state, kind, msg):
    with pytest.raises(kind, match=f"^Linear.load_state_dict: {msg}"):
        nn.Linear(2, 1).load_state_dict(state)
