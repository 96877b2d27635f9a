"""Building blocks of the sample (`mkpi sample`) and dirty (`mkpi dirty`) raw data writers."""
