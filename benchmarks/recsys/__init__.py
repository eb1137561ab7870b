"""Issue 14's offline evaluation: ml-100k (from the recbole wheel, installed at run time and never
committed), every rating a positive, implicit's ``train_test_split`` at 0.8 with seed 0; P@10,
NDCG@10 and MAP@10 of popularity, BM25 item-kNN, untuned ALS and our ALS, whose ranking is read
back from the vector index as serving reads it. ``python -m benchmarks.recsys [--tune]``."""
