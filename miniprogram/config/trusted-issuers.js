// Trusted issuers of personal packages (个人档案包): the organisation
// departments whose SM2 public keys this deployment trusts. A package signed
// by a key listed here opens without a warning; one signed by any other key
// opens only after the user has seen its fingerprint and accepted it (the
// choice is remembered per key on the phone).
//
// Before building and publishing, the deployment lists its departments here,
// each with the fingerprint `zhichu keygen` printed (公钥指纹: SM3 of the public
// key, first 16 bytes, hex in groups of four; spaces and case do not matter):
//
//   module.exports = [
//     { name: '某市委组织部', fingerprint: '3f2a 9c01 …' },
//   ];
//
// Empty by default: every issuer is then unknown and asks once.
module.exports = [];
