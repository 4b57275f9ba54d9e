import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers import viz  # noqa: E402


def _titles(fig):
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def test_show_images_titles_by_label_and_marks_mistakes_in_red():
    images = np.random.default_rng(0).random((5, 8, 8, 1)).astype("float32")
    fig = viz.show_images(images, [0, 1, 2, 0, 1], ["a", "b", "c"], predictions=[0, 2, 2, 0, 0], ncols=3)
    assert _titles(fig) == ["a → a", "b → c", "c → c", "a → a", "b → a"]
    colors = [ax.title.get_color() for ax in fig.axes if ax.get_title()]
    assert colors[1] == "red" and colors[0] == "black"
    assert len(fig.axes) == 6  # 2 rows x 3 columns, the last one empty


def test_show_images_accepts_uint8_rgb_and_limits_the_count():
    images = np.zeros((20, 4, 4, 3), np.uint8)
    fig = viz.show_images(images, titles=[str(i) for i in range(20)], max_images=4, ncols=8)
    assert _titles(fig) == ["0", "1", "2", "3"]


@pytest.mark.parametrize("images, kwargs, match", [
    (np.zeros((4, 4)), {}, r"\(N, H, W\)"),
    (np.zeros((0, 4, 4)), {}, "images is empty"),
    (np.zeros((3, 4, 4, 2)), {}, "images must have 1, 3 or 4 channels"),
    (np.zeros((3, 4, 4)), {"labels": [0]}, "labels has 1 entries for 3 images"),
])
def test_show_images_bad_input(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        viz.show_images(images, **kwargs)


def test_plot_history_draws_train_and_validation():
    logs = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]}
    fig = viz.plot_history(logs)
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["train", "validation"]
    assert [line.get_label() for line in acc_ax.lines] == ["train"]
    np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), [1.1, 0.7])


def test_plot_history_bad_input():
    with pytest.raises(ValueError, match="history has no such entry"):
        viz.plot_history({"loss": [1.0]}, metrics=("loss", "accuracy"))
    with pytest.raises(TypeError, match="History or a dict"):
        viz.plot_history([1.0, 2.0])


def test_plot_history_puts_epochs_on_whole_numbers():
    fig = viz.plot_history({"loss": [3.0, 2.0, 1.5, 1.2, 1.0]}, metrics=("loss",))
    ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 5]
    assert ticks and all(float(t).is_integer() for t in ticks)
