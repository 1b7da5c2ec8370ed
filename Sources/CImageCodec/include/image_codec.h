#ifndef XAI_IMAGE_CODEC_H
#define XAI_IMAGE_CODEC_H
/* placeholder */
int xai_codec_version(void);
#endif
