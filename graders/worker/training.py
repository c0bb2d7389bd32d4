"""Train the submission's own network on data the scoring process sends, and report numbers.

The request brings everything: the training samples and their labels, the held-out samples
(without labels), the initial weights and the columns of every batch. The network is the
lab's classifier, built from the submission's classes through a Library:

    h = Linear(x, W1, b1); r = ReLU(h); o = Linear(r, W2, b2)
    J = Sum(Softmax(o, y), Regularization(W1, lam))

The worker trains it for the given steps with the submission's Network and answers with
plain numbers only: J at every step, the Inputs before and after the first step, the
predicted class of every held-out sample, the time of every step (CPU time of the thread
that trains, which a busy machine disturbs little, and wall time) and the peak memory. It
judges nothing: the scoring process keeps the held-out labels and decides what passes.
"""

import resource
import time

import torch

from .cases import describe_error, encode

PARAMETERS = ("W1", "b1", "W2", "b2")


def _scalar(value) -> float:
    """J as a plain number; a loss that is not a single value is an error of the submission."""
    data = encode(value)["data"]
    if len(data) != 1:
        raise ValueError(f"the output J has {len(data)} entries; a loss layer's output is a "
                         f"scalar (shape ())")
    return data[0]


def _one_hot(labels: list[int], classes: int, dtype, device) -> torch.Tensor:
    columns = torch.zeros(classes, len(labels), dtype=dtype, device=device)
    columns[torch.tensor(labels, device=device), torch.arange(len(labels), device=device)] = 1
    return columns


class Memory:
    """The peak memory of a stretch of work, above what was in use when it began.

    On CUDA, torch's own count of allocated bytes. On the CPU, the process's resident set:
    its peak (VmHWM) is reset where Linux allows it, else only a rise of the lifetime peak
    can be seen; the answer says which was measured.
    """

    def __init__(self, device: str):
        self.cuda = device.startswith("cuda")
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.kind = "CUDA memory allocated by torch"
            self.start = torch.cuda.memory_allocated()
        elif self._reset_peak():
            self.kind = "resident memory (peak reset before training)"
            self.start = self._status("VmRSS")
        else:
            self.kind = "rise of the process's peak resident memory"
            self.start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    @staticmethod
    def _reset_peak() -> bool:
        try:
            with open("/proc/self/clear_refs", "w") as control:
                control.write("5")
            return True
        except OSError:
            return False

    @staticmethod
    def _status(field: str) -> int:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        raise OSError(f"/proc/self/status has no {field}")

    def peak_mib(self) -> float:
        if self.cuda:
            peak = torch.cuda.max_memory_allocated()
        elif self.kind.startswith("resident"):
            peak = self._status("VmHWM")
        else:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return max(peak - self.start, 0) / 2**20


def _classifier(library, x, params, lam, with_loss: bool, y=None):
    """The classifier's layers on the data Input ``x``, in execution order."""
    h = library.make_layer("Linear", {"x": x, "W": params["W1"], "b": params["b1"]}, {})
    r = library.make_layer("ReLU", {"x": h}, {})
    o = library.make_layer("Linear", {"x": r, "W": params["W2"], "b": params["b2"]}, {})
    if not with_loss:
        return [(h, [x]), (r, [h]), (o, [r])]
    loss = library.make_layer("Softmax", {"x": o, "y": y}, {})
    penalty = library.make_layer("Regularization", {"W": params["W1"]}, {"lambda": lam})
    objective = library.make_layer("Sum", {"a": loss, "b": penalty}, {})
    return [(h, [x]), (r, [h]), (o, [r]), (loss, [o, y]), (penalty, [params["W1"]]),
            (objective, [loss, penalty])]


def run_training(library, request: dict, dtype=torch.float32, device: str = "cpu") -> dict:
    """Build the classifier, train it as the request says, and report what happened."""
    result = {"losses": [], "first_step": None, "predictions": None, "step_cpu_s": [],
              "step_wall_s": [], "train_wall_s": None, "memory": None, "stopped": "",
              "error": None}

    def tensor(value):
        return torch.tensor(value, dtype=dtype, device=device)

    x_all = tensor(request["x_train"])
    y_all = _one_hot(request["labels_train"], request["classes"], dtype, device)
    columns = [torch.tensor(batch, device=device) for batch in request["batches"]]
    batch = len(request["batches"][0])
    features = x_all.shape[0]

    phase = "build"
    try:
        x = library.make_input((features, batch), False)
        y = library.make_input((request["classes"], batch), False)
        library.set_value(x, x_all[:, columns[0]])
        library.set_value(y, y_all[:, columns[0]])
        params = {}
        for name in PARAMETERS:
            value = tensor(request["weights"][name])
            params[name] = library.make_input(tuple(value.shape), True)
            library.set_value(params[name], value)
        layers = _classifier(library, x, params, request["lam"], True, y)
        inputs = {"x": x, "y": y, **params}
        objective = layers[-1][0]
        net = library.make_network([x, y, *params.values(), *(layer for layer, _ in layers)],
                                   x, objective)

        phase = "training"
        memory = Memory(str(device))
        budget = request["budget_s"]
        started = time.perf_counter()
        for step, picked in enumerate(columns):
            wall, cpu = time.perf_counter(), time.thread_time()
            library.set_value(y, y_all[:, picked])
            library.set_value(x, x_all[:, picked])
            library.network_forward(net, x)
            result["losses"].append(_scalar(library.output(objective)))
            library.network_backward(net)
            if step == 0:
                before = {name: encode(library.output(i)) for name, i in inputs.items()}
            library.network_step(net, request["step_size"])
            if step == 0:
                result["first_step"] = {
                    "before": before,
                    "after": {name: encode(library.output(i)) for name, i in inputs.items()},
                    "trainable": {name: name in PARAMETERS for name in inputs},
                }
            if str(device).startswith("cuda"):
                torch.cuda.synchronize()
            result["step_cpu_s"].append(time.thread_time() - cpu)
            result["step_wall_s"].append(time.perf_counter() - wall)
            if time.perf_counter() - started > budget and step + 1 < len(columns):
                result["stopped"] = (f"stopped after {step + 1} of {len(columns)} steps: the "
                                     f"time budget of {budget:g} s was spent")
                break
        result["train_wall_s"] = time.perf_counter() - started
        result["memory"] = {"peak_mib": memory.peak_mib(), "kind": memory.kind}

        phase = "evaluation"
        x_test = tensor(request["x_test"])
        held_out = library.make_input(tuple(x_test.shape), False)
        library.set_value(held_out, x_test)
        evaluation = _classifier(library, held_out, params, request["lam"], False)
        for layer, reads in evaluation:
            library.forward(layer, reads)
        scores = encode(library.output(evaluation[-1][0]))
        if scores["shape"] != [request["classes"], x_test.shape[1]]:
            raise ValueError(f"the scores of the held-out samples have shape "
                             f"{tuple(scores['shape'])}; expected "
                             f"({request['classes']}, {x_test.shape[1]})")
        values = torch.tensor(scores["data"], dtype=torch.float64).reshape(scores["shape"])
        result["predictions"] = values.argmax(dim=0).tolist()
    except BaseException as error:  # sys.exit() in student code too
        if isinstance(error, KeyboardInterrupt):
            raise
        result["error"] = describe_error(phase, error)
    return result
