"""The compiler: turns loaded courses into the static site and the server's manifests."""
