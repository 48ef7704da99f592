"""Truck drive times: road graphs (graph.py), speeds (speeds.py), shortest paths (paths.py), isochrones
(isochrones.py), the default motorway graph (motorways.py) and the per-site figures (drive.py)."""
