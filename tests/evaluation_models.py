"""The small model the evaluation tests score maps with (shared by their files)."""
import keras


def softmax_model(seed=0, size=8):
    """``(size, size, 3)`` images -> conv "conv" -> GAP -> 3-class softmax "head"."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((size, size, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs)
