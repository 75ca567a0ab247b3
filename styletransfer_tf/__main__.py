"""``python -m styletransfer_tf``: see ``cli.py``."""

import sys

from styletransfer_tf.cli import main

sys.exit(main())
