"""Test-session settings shared by the unit tests and the notebook runs (nbval).

Set before any kernel starts, so the chapter notebooks inherit them.
"""
import os

os.environ.setdefault("HELPERS_PROFILE", "test")   # notebooks do the smallest run
os.environ.setdefault("HELPERS_CLAIMS", "strict")   # a chapter's claim that fails, fails
os.environ.setdefault("MPLBACKEND", "Agg")          # no display here
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # hide TensorFlow's start-up chatter
