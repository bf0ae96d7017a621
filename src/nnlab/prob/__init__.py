"""Probability: random variables, joint tables, Bayes' theorem, Monty Hall, ML / MAP estimation.

Written in NumPy, with SciPy's special functions (``scipy.special``) for the closed forms and
SciPy's QUADPACK for numerical expectations: this package is what the course's first practical
works study.
"""

from nnlab.prob.base import RandomVariable
from nnlab.prob.bayes import BayesResult, bayes
from nnlab.prob.beta import Beta
from nnlab.prob.continuous import Continuous, Exponential, Normal, Uniform
from nnlab.prob.discrete import Bernoulli, Binomial, Discrete
from nnlab.prob.estimation import (
    bernoulli_map,
    bernoulli_ml,
    bernoulli_posterior,
    bernoulli_predictive,
    gaussian_mean_map,
    gaussian_mean_ml,
    gaussian_mean_posterior,
    gaussian_predictive,
)
from nnlab.prob.joint import JointDistribution
from nnlab.prob.monty_hall import MontyHallResult, monty_hall, monty_hall_joint, simulate_monty_hall
from nnlab.prob.quadrature import integrate

__all__ = [
    "BayesResult",
    "Bernoulli",
    "Beta",
    "Binomial",
    "Continuous",
    "Discrete",
    "Exponential",
    "JointDistribution",
    "MontyHallResult",
    "Normal",
    "RandomVariable",
    "Uniform",
    "bayes",
    "bernoulli_map",
    "bernoulli_ml",
    "bernoulli_posterior",
    "bernoulli_predictive",
    "gaussian_mean_map",
    "gaussian_mean_ml",
    "gaussian_mean_posterior",
    "gaussian_predictive",
    "integrate",
    "monty_hall",
    "monty_hall_joint",
    "simulate_monty_hall",
]
