"""Writes the iris data set as train/test CSV files into the output directory."""
import os
import sys

from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

out = sys.argv[1]
seed = int(sys.argv[2])
os.makedirs(out, exist_ok=True)
frame = load_iris(as_frame=True).frame
train, test = train_test_split(frame, test_size=0.3, random_state=seed, stratify=frame["target"])
train.to_csv(os.path.join(out, "train.csv"), index=False)
test.to_csv(os.path.join(out, "test.csv"), index=False)
print(f"prepared {len(train)} train and {len(test)} test rows")
