LoadTimeEnvironment.reexecIfUseful()
XAICommand.main()
