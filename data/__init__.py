"""Loading and checking data: ECG5000 in UCR text format, and the compact form the browser loads."""
