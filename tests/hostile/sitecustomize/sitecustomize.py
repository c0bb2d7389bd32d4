print("SITECUSTOMIZE RAN")
import builtins
builtins.abs = lambda x: 0
