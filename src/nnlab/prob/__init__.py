"""Probability: random variables, joint tables, Bayes' theorem, Monty Hall, ML / MAP estimation.

Written in plain NumPy: this package is what the course's first practical works study.
"""

from nnlab.prob.base import RandomVariable
from nnlab.prob.bayes import BayesResult, bayes
from nnlab.prob.continuous import Beta, Continuous, Exponential, Normal, Uniform, integrate
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
from nnlab.prob.special import erf, erfc, standard_normal_cdf

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
    "erf",
    "erfc",
    "gaussian_mean_map",
    "gaussian_mean_ml",
    "gaussian_mean_posterior",
    "gaussian_predictive",
    "integrate",
    "monty_hall",
    "monty_hall_joint",
    "simulate_monty_hall",
    "standard_normal_cdf",
]
