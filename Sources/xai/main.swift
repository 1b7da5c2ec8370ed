print("xai")
