del ReLU
