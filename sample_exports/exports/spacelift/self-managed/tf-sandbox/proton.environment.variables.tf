variable "environment" {
  type = object({
    inputs = map(string)
    name   = string
  })
  default = null
}

variable "proton_tags" {
  type    = map(string)
  default = null
}
