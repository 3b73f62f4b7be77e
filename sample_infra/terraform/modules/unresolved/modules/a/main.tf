# a and b call each other: Terraform rejects the cycle; the scan notes it and goes on.

module "b" {
  source = "../b"
}
