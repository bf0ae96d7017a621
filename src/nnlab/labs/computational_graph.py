"""Lab 12, computational graph: f(x, y) = x² + xy + (x + y)² as a graph of simple ops, its
reverse-mode gradients (``Tensor.backward``) against the analytic chain rule and finite
differences, and Jacobians computed one row per backward pass.

The graph is drawn by :func:`nnlab.autograd.draw` (Graphviz) when ``dot`` is installed; without
it, the structure given by :func:`nnlab.autograd.graph_of` is laid out with matplotlib
(:mod:`nnlab.labs._graph_plot`).
"""

from __future__ import annotations

import shutil
from typing import Any

import numpy as np
from matplotlib import image as mpimg

import nnlab
from nnlab import Tensor
from nnlab.autograd import draw, gradcheck
from nnlab.labs._graph_plot import plot_graph
from nnlab.labs.base import LabContext
from nnlab.report.figures import FIGURE_DPI, heatmap


def f(x: Any, y: Any) -> Any:
    """f(x, y) = x² + xy + (x + y)², for nnlab tensors (builds the graph) or NumPy values."""
    return x**2 + x * y + (x + y) ** 2


def grad_f(x: Any, y: Any) -> tuple[Any, Any]:
    """The course's analytic gradient: ∂f/∂x = 2x + y + 2(x + y), ∂f/∂y = x + 2(x + y)."""
    return 2 * x + y + 2 * (x + y), x + 2 * (x + y)


def _leaf(value: Any) -> Tensor:
    return nnlab.tensor(np.asarray(value, dtype=np.float64), requires_grad=True)


def run(ctx: LabContext) -> dict[str, Any]:
    """Graph, gradients, finite differences, Jacobians; metrics ``x``, ``y``, ``df_dx``,
    ``df_dy``, ``fd_max_error`` (plus the grid and Jacobian errors)."""
    x0 = ctx.param("x", full=2.0, quick=2.0)
    y0 = ctx.param("y", full=3.0, quick=3.0)
    n_points = ctx.param("random points for the checks", full=2000, quick=200)
    step = ctx.param("finite-difference step h", full=1e-6, quick=1e-6)
    ctx.setting("dtype", "float64")
    ctx.intro(
        "A computational graph breaks a function into simple operations (nodes) joined by the "
        "values they pass on (edges). Reverse mode walks it once backwards from the output, "
        "multiplying local derivatives (the chain rule), and so gets **every** partial derivative "
        "for the price of about one more evaluation. This is how nnlab (and TensorFlow, PyTorch) "
        "computes gradients."
    )
    ctx.intro(
        "The lab draws the course's graph of $f(x, y) = x^2 + xy + (x+y)^2$, computes "
        "$\\partial f/\\partial x$ and $\\partial f/\\partial y$ with `Tensor.backward()`, and "
        "checks them against the course's hand derivation and against finite differences. "
        "Then it builds Jacobian matrices row by row, one backward pass per output."
    )
    df_dx, df_dy = _graph_section(ctx, x0, y0)
    fd_error = _finite_difference_section(ctx, x0, y0, n_points, step)
    grid_error = _gradient_field_section(ctx)
    jac_error, softmax_error = _jacobian_section(ctx, x0, y0)
    ctx.key_result = (
        f"∂f/∂x = {df_dx:g}, ∂f/∂y = {df_dy:g} at ({x0:g}, {y0:g}): backward = analytic; "
        f"finite differences within {fd_error:.1e}"
    )
    return {
        "x": x0,
        "y": y0,
        "df_dx": df_dx,
        "df_dy": df_dy,
        "fd_max_error": fd_error,
        "grid_max_error": grid_error,
        "jacobian_max_error": jac_error,
        "softmax_jacobian_max_error": softmax_error,
    }


def _graph_section(ctx: LabContext, x0: float, y0: float) -> tuple[float, float]:
    ctx.section("The graph and one backward pass")
    x, y = _leaf(x0), _leaf(y0)
    a = x**2
    b = x * y
    s = x + y
    c = s**2
    out = a + b + c
    names = {"x": x, "y": y, "a": a, "b": b, "s": s, "c": c, "f": out}
    ctx.paragraph(
        "Built from nnlab tensors: $a = x^2$, $b = xy$, $s = x + y$, $c = s^2$ and "
        "$f = a + b + c$. Boxes are the inputs (dashed: constants such as the exponent 2), "
        "ellipses the operations with their output's shape."
    )
    _draw_graph(ctx, out, names)
    out.backward()
    assert x.grad is not None and y.grad is not None
    df_dx, df_dy = float(x.grad), float(y.grad)
    want_x, want_y = grad_f(x0, y0)
    ctx.paragraph(
        f"`f.backward()` at $(x, y) = ({x0:g}, {y0:g})$ gives $f = {out.item():g}$, "
        f"`x.grad` = {df_dx:g} and `y.grad` = {df_dy:g}. The course adds the contributions of "
        "the three paths from $x$ to $f$:"
    )
    ctx.formula(
        r"\frac{\partial f}{\partial x} = "
        r"\frac{\partial f}{\partial a}\frac{\partial a}{\partial x}"
        r" + \frac{\partial f}{\partial b}\frac{\partial b}{\partial x}"
        r" + \frac{\partial f}{\partial c}\frac{\partial c}{\partial x} = 2x + y + 2(x + y)"
    )
    ctx.formula(r"\frac{\partial f}{\partial y} = x + 2(x + y)")
    s0 = x0 + y0
    ctx.table(
        ["path", "local derivatives", "∂f/∂x contribution", "∂f/∂y contribution"],
        [
            ("x → a = x² → f", "∂f/∂a = 1, ∂a/∂x = 2x", 2 * x0, 0.0),
            ("x, y → b = xy → f", "∂f/∂b = 1, ∂b/∂x = y, ∂b/∂y = x", y0, x0),
            ("x, y → s → c = s² → f", "∂f/∂c = 1, ∂c/∂s = 2s, ∂s/∂x = ∂s/∂y = 1", 2 * s0, 2 * s0),
            ("total (backward)", "", df_dx, df_dy),
        ],
        title=f"The chain rule, path by path, at (x, y) = ({x0:g}, {y0:g})",
        caption="Reverse mode sums the products of local derivatives along every path.",
    )
    ctx.check("∂f/∂x: backward = 2x + y + 2(x + y)", df_dx, want_x, tol=1e-10)
    ctx.check("∂f/∂y: backward = x + 2(x + y)", df_dy, want_y, tol=1e-10)
    return df_dx, df_dy


def _draw_graph(ctx: LabContext, out: Tensor, names: dict[str, Tensor]) -> None:
    caption = "The computational graph of f(x, y) = x² + xy + (x + y)², as nnlab recorded it."
    reason = "Graphviz's `dot` program is not installed"
    if shutil.which("dot") is not None:
        try:
            png = draw(out, ctx.path("graph-graphviz.png"), names=names)
        except RuntimeError as exc:  # dot present but failing: fall back, say why
            reason = f"`nnlab.autograd.draw` failed ({exc})"
        else:
            pixels = mpimg.imread(str(png))
            height, width = pixels.shape[:2]
            fig, ax = ctx.new_figure(width=width / FIGURE_DPI, height=height / FIGURE_DPI)
            ax.imshow(pixels, interpolation="lanczos")
            ax.axis("off")
            ctx.figure(fig, "graph", caption + " Drawn by `nnlab.autograd.draw` (Graphviz).")
            return
    ctx.paragraph(
        f"{reason}, so the graph below is laid out by matplotlib from "
        "`nnlab.autograd.graph_of` (install Graphviz for `nnlab.autograd.draw`'s rendering)."
    )
    fig, ax = ctx.new_figure(width=10.0, height=4.2)
    plot_graph(ax, out, names)
    ctx.figure(fig, "graph", caption)


def _finite_difference_section(
    ctx: LabContext, x0: float, y0: float, n_points: int, step: float
) -> float:
    ctx.section("Finite differences")
    ctx.paragraph(
        "A finite difference needs only values of $f$. The central difference is exact for a "
        "quadratic up to rounding; the forward difference is off by $h f''/2$ "
        "($\\partial^2 f/\\partial x^2 = 4$, $\\partial^2 f/\\partial y^2 = 2$)."
    )
    ctx.formula(
        r"\frac{\partial f}{\partial x} \approx \frac{f(x + h, y) - f(x - h, y)}{2h},\qquad"
        r"\frac{\partial f}{\partial x} \approx \frac{f(x + h, y) - f(x, y)}{h}"
    )
    xs = np.concatenate([[x0], ctx.rng.uniform(-5.0, 5.0, n_points)])
    ys = np.concatenate([[y0], ctx.rng.uniform(-5.0, 5.0, n_points)])
    xt, yt = _leaf(xs), _leaf(ys)
    f(xt, yt).sum().backward()  # f acts elementwise, so the gradient of the sum is per point
    assert xt.grad is not None and yt.grad is not None
    fd_x = (f(xs + step, ys) - f(xs - step, ys)) / (2 * step)
    fd_y = (f(xs, ys + step) - f(xs, ys - step)) / (2 * step)
    fd_error = float(max(np.abs(xt.grad - fd_x).max(), np.abs(yt.grad - fd_y).max()))
    ctx.check(
        f"backward vs central differences, h = {step:g}, {n_points + 1} points in [-5, 5]²",
        fd_error,
        0.0,
        tol=1e-6,
    )
    passed = gradcheck(f, xs[:50], ys[:50])
    ctx.check("`nnlab.autograd.gradcheck(f, x, y)` passes", float(passed), 1.0, tol=0.0)
    steps = np.logspace(-13, 0, 53)
    want_x, _ = grad_f(x0, y0)
    central = np.abs((f(x0 + steps, y0) - f(x0 - steps, y0)) / (2 * steps) - want_x)
    forward = np.abs((f(x0 + steps, y0) - f(x0, y0)) / steps - want_x)
    floor = 1e-17
    fig, ax = ctx.new_figure(width=9.0, height=4.2)
    ax.loglog(steps, np.maximum(forward, floor), "o-", markersize=3, label="forward difference")
    ax.loglog(steps, np.maximum(central, floor), "s-", markersize=3, label="central difference")
    ax.loglog(steps, 2 * steps, "--", color="grey", linewidth=1, label="h f''/2 = 2h (theory)")
    ax.axhline(
        abs(float(xt.grad[0]) - want_x) + floor, color="black", linewidth=1, label="backward"
    )
    ax.axvline(step, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel("step h")
    ax.set_ylabel(f"|error| of ∂f/∂x at ({x0:g}, {y0:g})")
    ax.set_title("Truncation vs rounding error")
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5))
    ctx.figure(
        fig,
        "finite-differences",
        "Large h: the forward difference's truncation error 2h. Small h: rounding error "
        "(~1e-16·|f|/h) grows for both. Backward pays neither (dotted line: the h used above; "
        "zero errors are drawn at 1e-17).",
    )
    return fd_error


def _gradient_field_section(ctx: LabContext) -> float:
    ctx.section("The gradient field")
    grid = np.linspace(-3.0, 3.0, 13)
    gx, gy = np.meshgrid(grid, grid)
    xt, yt = _leaf(gx), _leaf(gy)
    f(xt, yt).sum().backward()
    assert xt.grad is not None and yt.grad is not None
    want_x, want_y = grad_f(gx, gy)
    error = float(max(np.abs(xt.grad - want_x).max(), np.abs(yt.grad - want_y).max()))
    ctx.check(f"backward = analytic on a {grid.size}×{grid.size} grid", error, 0.0, tol=1e-10)
    fine = np.linspace(-3.0, 3.0, 200)
    fx, fy = np.meshgrid(fine, fine)
    fig, ax = ctx.new_figure(width=6.4, height=5.6)
    filled = ax.contourf(fx, fy, f(fx, fy), levels=25, cmap="viridis")
    ax.contour(fx, fy, f(fx, fy), levels=12, colors="white", linewidths=0.5, alpha=0.6)
    ax.quiver(gx, gy, -xt.grad, -yt.grad, color="white", angles="xy", width=0.004)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    ax.set_title("f(x, y) and −∇f from backward()")
    fig.colorbar(filled, ax=ax, label="f(x, y)")
    ctx.figure(
        fig,
        "gradient-field",
        "Arrows: −∇f from one backward pass over the whole grid, the direction gradient descent "
        "takes. f is a convex quadratic with its minimum at (0, 0).",
    )
    return error


def _jacobian_rows(outputs: Tensor, inputs: list[Tensor]) -> np.ndarray:
    """J[i, j] = ∂outputs_i/∂inputs_j, one backward pass per output (row)."""
    rows = []
    for i in range(outputs.shape[0]):
        for leaf in inputs:
            leaf.zero_grad()
        seed = np.zeros(outputs.shape)
        seed[i] = 1.0
        outputs.backward(seed)
        rows.append(np.concatenate([np.ravel(leaf.grad) for leaf in inputs]))  # type: ignore[arg-type]
    return np.array(rows)


def _jacobian_section(ctx: LabContext, x0: float, y0: float) -> tuple[float, float]:
    ctx.section("Jacobians, one backward pass per row")
    ctx.paragraph(
        "For a vector function $g$, `g.backward(e_i)` with the unit vector $e_i$ gives the "
        "gradient of the component $g_i$, i.e. row $i$ of the Jacobian. With the graph's "
        "intermediate values $g = (a, b, c) = (x^2, xy, (x+y)^2)$ and $f = a + b + c$, the "
        "course's matrix form of the chain rule reads:"
    )
    ctx.formula(
        r"\nabla_{x} f = \nabla_{x} g\, \nabla_{g} f,\qquad \nabla_{g} f = (1, 1, 1)^T",
        "∇ₓg (2 × 3) is the transposed Jacobian, one column per component of g, as in the notes: "
        "its rows are (2x, y, 2(x + y)) for ∂/∂x and (0, x, 2(x + y)) for ∂/∂y.",
    )
    x, y = _leaf(x0), _leaf(y0)
    g = nnlab.stack([x**2, x * y, (x + y) ** 2], 0)
    jac = _jacobian_rows(g, [x, y])  # (3, 2): rows are the components a, b, c
    s0 = x0 + y0
    analytic = np.array([[2 * x0, 0.0], [y0, x0], [2 * s0, 2 * s0]])
    jac_error = float(np.abs(jac - analytic).max())
    ctx.check(
        "Jacobian of (a, b, c) by backward = analytic (max |error|)", jac_error, 0.0, tol=1e-10
    )
    ctx.check(
        "∇f = ∇ₓg · (1, 1, 1)ᵀ (the chain rule in matrix form)",
        jac.T @ np.ones(3),
        np.array(grad_f(x0, y0)),
        tol=1e-10,
    )
    ctx.table(
        ["component", "∂/∂x (backward)", "∂/∂y (backward)", "∂/∂x (analytic)", "∂/∂y (analytic)"],
        [
            (label, *jac[i], *analytic[i])
            for i, label in enumerate(("a = x²", "b = xy", "c = (x + y)²"))
        ],
        title=f"Jacobian of g = (a, b, c) at (x, y) = ({x0:g}, {y0:g})",
    )
    ctx.paragraph(
        "A second example, used by every classifier in the course: the softmax "
        "$s_i = e^{z_i}/\\sum_j e^{z_j}$ has the Jacobian below (symmetric, each row sums to 0 "
        "because the outputs always sum to 1)."
    )
    ctx.formula(
        r"\frac{\partial s_i}{\partial z_j} = s_i(\delta_{ij} - s_j),\qquad J = diag(s) - s s^T"
    )
    z = _leaf(np.array([1.0, 2.0, 0.5, -1.0]))
    probs = z.softmax()
    soft_jac = _jacobian_rows(probs, [z])
    s_val = probs.data
    soft_analytic = np.diag(s_val) - np.outer(s_val, s_val)
    softmax_error = float(np.abs(soft_jac - soft_analytic).max())
    ctx.check(
        "softmax Jacobian by backward = diag(s) − ssᵀ (max |error|)", softmax_error, 0.0, tol=1e-12
    )
    ctx.check(
        "rows of the softmax Jacobian sum to 0 (max |row sum|)",
        float(np.abs(soft_jac.sum(axis=1)).max()),
        0.0,
        tol=1e-12,
    )
    fig, axes = ctx.new_figure(1, 2, width=10.5, height=4.4)
    labels = [f"z{j + 1}" for j in range(4)]
    for ax, matrix, title in zip(
        axes, (soft_jac, soft_analytic), ("by backward(), row by row", "diag(s) − ssᵀ"), strict=True
    ):
        image = heatmap(
            ax, matrix, xticklabels=labels, yticklabels=[f"s{i + 1}" for i in range(4)], cmap="RdBu"
        )
        image.set_clim(-0.25, 0.25)
        ax.set_xlabel("input $z_j$")
        ax.set_ylabel("output $s_i$")
        ax.set_title(title)
        fig.colorbar(image, ax=ax, label=r"$\partial s_i / \partial z_j$")
    ctx.figure(fig, "softmax-jacobian", "The softmax Jacobian at z = (1, 2, 0.5, −1).")
    return jac_error, softmax_error
