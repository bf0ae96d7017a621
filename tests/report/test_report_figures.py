"""The figure style, PNG export, formula rendering and the axis-label check."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from nnlab.report.figures import (
    STYLE,
    figure_png,
    new_figure,
    png_size,
    render_formula,
    style,
    unlabelled_axes,
)


def test_style_applies_inside_the_block_only() -> None:
    before = matplotlib.rcParams["font.size"]
    with style():
        assert matplotlib.rcParams["font.size"] == STYLE["font.size"]
        fig, ax = new_figure()
        assert ax.title.get_fontsize() == STYLE["axes.titlesize"]
    assert matplotlib.rcParams["font.size"] == before


def test_new_figure_grid_and_png_size() -> None:
    fig, axes = new_figure(2, 3)
    assert axes.shape == (2, 3)
    for ax in axes.flat:
        ax.plot([0, 1], [1, 0])
        ax.set_xlabel("a long x label that must not be clipped")
        ax.set_ylabel("y")
    png, width, height = figure_png(fig, dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (width, height) == png_size(png)
    assert width > height > 0
    with pytest.raises(ValueError, match="nrows and ncols"):
        new_figure(0, 1)
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a")


def test_unlabelled_axes_skips_images_turned_off_and_colorbars() -> None:
    fig, (ax1, ax2, ax3) = new_figure(1, 3)
    ax1.plot([0, 1])
    ax1.set_xlabel("x")
    ax1.set_title("Loss")
    image = ax2.imshow(np.eye(3))
    ax2.set_xlabel("column")
    ax2.set_ylabel("row")
    fig.colorbar(image, ax=ax2)
    ax3.imshow(np.eye(3))
    ax3.axis("off")
    assert unlabelled_axes(fig) == ["axes 1 ('Loss'): no y label"]


def test_render_formula_svg_or_none() -> None:
    svg = render_formula(r"KL(P \parallel Q) = \sum_i p_i \log \frac{p_i}{q_i}")
    assert svg is not None and b"<svg" in svg
    assert render_formula(r"\begin{pmatrix} a \end{pmatrix}") is None
    with pytest.raises(ValueError, match="empty"):
        render_formula("  ")
