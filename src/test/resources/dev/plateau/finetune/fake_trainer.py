#!/usr/bin/env python3
"""A stand-in for lerobot-train and gr00t_finetune.py in tests: prints log lines in each trainer's real format.

lerobot-train mode (an argument --steps=N): logging lines on stderr every --log_freq steps, as LeRobot 0.4 writes
them. gr00t_finetune.py mode (--max-steps N): a tqdm bar on stderr redrawn with carriage returns, and the Hugging
Face Trainer's dict line on stdout every 10 steps. The loss at step s is 1 / (1 + s / 100), the learning rate
1e-4 * s / steps. --fake.fail_at=S exits 1 with a traceback at step S; --fake.sleep=T sleeps T seconds per line.
"""
import sys
import time

args = sys.argv[1:]


def option(name, default):
    for i, a in enumerate(args):
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
        if a == name and i + 1 < len(args):
            return args[i + 1]
    return default


def big(n):
    suffixes = ["", "K", "M", "B", "T", "Q"]
    k = 0
    n = float(n)
    while abs(n) >= 1000 and k < len(suffixes) - 1:
        n /= 1000.0
        k += 1
    return f"{n:.0f}{suffixes[k]}"


fail_at = int(option("--fake.fail_at", "-1"))
sleep = float(option("--fake.sleep", "0"))
lerobot = option("--steps", None) is not None
steps = int(option("--steps", None) if lerobot else option("--max-steps", "100"))
every = int(option("--log_freq", "200")) if lerobot else 10
print("argv: " + " ".join(sys.argv[1:]), flush=True)
# which start-up hook Python ran (a pruned pi0 export's plateau_hook, when the recipe put it on PYTHONPATH)
print("sitecustomize: " + str(getattr(sys.modules.get("sitecustomize"), "__file__", None)), flush=True)


def fail(step):
    print("Traceback (most recent call last):", file=sys.stderr)
    print(f"RuntimeError: CUDA out of memory at step {step}", file=sys.stderr, flush=True)
    sys.exit(1)


for step in range(every, steps + 1, every):
    if step == fail_at:
        fail(step)
    loss = 1.0 / (1.0 + step / 100.0)
    lr = 1e-4 * step / steps
    if lerobot:
        print(f"INFO 2026-11-28 10:00:00 ot_train.py:435 step:{big(step)} smpl:{big(step * 64)} ep:{big(step // 10)} "
              f"epch:{step / 1000:.2f} loss:{loss:.3f} grdn:0.512 lr:{lr:0.1e} updt_s:0.385 data_s:0.012",
              file=sys.stderr, flush=True)
    else:
        pct = int(100 * step / steps)
        sys.stderr.write(f"\r{pct:3d}%|#         | {step}/{steps} [00:01<00:09,  9.50it/s]")
        sys.stderr.write("\r" + " " * 60 + "\r")  # tqdm.write clears the bar before it prints
        sys.stderr.flush()
        print(f"{{'loss': {round(loss, 4)}, 'grad_norm': 0.41279032826423645, 'learning_rate': {lr}, "
              f"'epoch': {round(step / 1000, 2)}}}", flush=True)
    time.sleep(sleep)

if lerobot:
    print("INFO 2026-11-28 10:00:09 ot_train.py:460 End of training", file=sys.stderr, flush=True)
else:
    print("{'train_runtime': 10.0, 'train_samples_per_second': 85.899, 'train_steps_per_second': 2.684, "
          "'train_loss': 0.5, 'epoch': 0.1}", flush=True)
