"""SparkLend (Aave v3.0.2 with Spark's patches), contract-exact. See spec/sparklend.md."""

__all__: list[str] = []
