import os

# Kernels started by nbval and papermill inherit this: no progress bars, no live plots,
# widgets drawn as static figures, exactly as the committed outputs were made.
os.environ.setdefault("LECTUREKIT_HEADLESS", "1")
