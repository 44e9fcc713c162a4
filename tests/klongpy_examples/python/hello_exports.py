
def say_hello(name):
    print(f"hello, {name}")


klongpy_exports = {"hello": say_hello}

