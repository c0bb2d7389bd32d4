class testing:
    @staticmethod
    def assert_allclose(*a, **k):
        pass
