"""Errors that mean "the user asked for something we cannot do".

The CLI turns every :class:`StyleTransferError` into a one-line message on stderr and
exit code 2 (3 for :class:`NonFiniteLossError`); anything else is a bug and keeps its traceback.
"""


class StyleTransferError(ValueError):
    """Bad input: a missing or unreadable image, an impossible size, an unknown layer..."""


class NonFiniteLossError(StyleTransferError):
    """The loss became NaN or Inf during optimisation.

    Attributes:
        step: the step (0-based) at which the loss stopped being finite.
        image: the last image with a finite loss, uint8 RGB, shape (B, H, W, 3).
        history: the loss history up to that step (see ``optimize.run_adam``).
    """

    def __init__(self, message, step, image, history):
        super().__init__(message)
        self.step = step
        self.image = image
        self.history = history
