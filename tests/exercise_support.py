"""Shared by the exercise tests: run a question's shown solution."""
import numpy as np

from helpers.exercises.core import FunctionQuestion


def solution_answer(question):
    """Run the code that ``question.solution()`` shows and return the answer it defines
    (the function for a function question, ``answer`` otherwise)."""
    namespace = {"np": np}
    exec(question.solution().code, namespace)
    if isinstance(question, FunctionQuestion):
        return namespace[question.function_name]
    return namespace["answer"]
