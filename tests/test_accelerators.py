"""A script's device choice runs unchanged and picks the CPU (issue 13: imports the only change)."""
import minigrad as mg


def test_the_usual_device_choice_picks_the_cpu():
    torch = mg
    device = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert device == "cpu"
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    assert device == "cpu"
    x = torch.ones(2, 3, device=device)
    assert x.device == "cpu" and torch.device(device) == x.device
    assert torch.cuda.device_count() == 0 and torch.accelerator.device_count() == 0


def test_seeding_and_cudnn_flags_are_accepted():
    mg.cuda.manual_seed(0)
    mg.cuda.manual_seed_all(0)
    old = mg.backends.cudnn.deterministic
    try:
        mg.backends.cudnn.deterministic = True
        mg.backends.cudnn.benchmark = False
        assert mg.backends.cudnn.deterministic is True
    finally:
        mg.backends.cudnn.deterministic = old


def test_a_gpu_is_still_refused_by_name():
    import pytest
    with pytest.raises(ValueError, match="cuda"):
        mg.ones(2, device="cuda")
