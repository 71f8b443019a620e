"""Server-side PDF rendering with WeasyPrint: a restricted URL fetcher and a bounded pool of
worker processes (CPU, memory and wall-clock limits; rebuilt after a crash)."""
