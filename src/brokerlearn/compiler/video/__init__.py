"""Video: finding ffmpeg, probing, web renditions cached by content hash, storyboard videos."""
