from insightly_async.cli import main

main()
