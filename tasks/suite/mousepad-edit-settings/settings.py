# Application settings
DEBUG = True
MAX_RETRIES = 3
TIMEOUT_SECONDS = 30
ALLOWED_HOSTS = ["localhost"]
LOG_LEVEL = "info"
