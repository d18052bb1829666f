pytest_plugins = ["gailab.simulator.testing"]
