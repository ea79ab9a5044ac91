"""What the browser tests let a page reach: this machine's loopback, and nothing else."""

from urllib.parse import urlparse


def offline(refused, route):
    """A playwright route handler: requests to 127.0.0.1 go through, others are refused and
    their addresses appended to ``refused``."""
    if urlparse(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        refused.append(route.request.url)
        route.abort()
