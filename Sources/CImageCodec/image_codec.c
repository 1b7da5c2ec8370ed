int xai_codec_version(void) { return 1; }
