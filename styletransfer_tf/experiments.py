"""The paper's experiments in one namespace, for the lectures: ``import
styletransfer_tf.experiments as ex`` gives the presets (``presets``), the jobs, batching
and cache (``jobs``), the figures (``figures``) and the measures the lectures print
(``metrics.psnr_ssim``, ``metrics.pairwise_distances``). Each name is defined in, and
documented by, the module named beside it below.
"""

from .errors import StyleTransferError  # noqa: F401
from .figures import (  # noqa: F401
    FIGURE_FUNCTIONS, FigureResult, check_figure_number, evaluate, figure1, figure1_content,
    figure1_style, figure3, figure4, figure5, figure6, fmt_ratio, optimizer_comparison,
    pooling_comparison, ratio_sweep, run_figure)
from .jobs import (  # noqa: F401
    CACHE_VERSION, SAMPLE_CONTENT, SAMPLE_STYLE, Job, JobResult, cache_dir, image_path,
    job_key, job_start_image, load_named, network_weights, normalization_images, plan_batches,
    run_group, run_jobs, substitution_notes)
from .metrics import pairwise_distances, psnr_ssim  # noqa: F401
from .presets import (  # noqa: F401
    CONTENT_IMAGES, FAST_PRESET, FIG1_CONTENT_LAYERS, FIG1_STYLE_SETS, FIG3_STYLES,
    FIG4_RATIOS, FIG4_STYLE, FIG5_CONTENT_LAYERS, FIG5_RATIO, FIG5_STYLE, FIG6_NOISE_SEEDS,
    FIG6_RATIO, FIG6_STYLE, FIGURES, PAPER_PRESET, PAPER_SIZE, PRESETS, RATIO_CALIBRATION,
    STYLE_LAYERS, TITLES, Settings, loss_weights, settings)
from . import paper_images  # noqa: F401,E402
