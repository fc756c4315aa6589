"""Person search in the embedded register: criteria, normalisation, phonetic keys, index rows, queries."""
