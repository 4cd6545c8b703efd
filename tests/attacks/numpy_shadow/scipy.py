open("/tmp/grade-attack-shadow-ran", "w").close()
raise ImportError("shadowed")
