// The refusal builder moved to protocol/ (the gateway needs it too); kept here for the vcluster
// rules that import it.
export { errorResponse } from "../protocol/error-response.ts";
