// msgpackr loads this in a try/catch and uses its JavaScript decoder when it throws.
throw new Error("msgpackr-extract: native acceleration not installed");
